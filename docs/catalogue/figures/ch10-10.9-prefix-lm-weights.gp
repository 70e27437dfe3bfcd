# made by workbook; re-plot with: gnuplot -p <this file>
set title 'Prefix-LM attention weights (prefix of 3)' noenhanced
set xlabel 'key position (from 0)' noenhanced
set ylabel 'query position (from 0)' noenhanced
set cblabel 'weight' noenhanced
set palette defined (0 '#440154', 1 '#3b528b', 2 '#21918c', 3 '#5ec962', 4 '#fde725')
set xrange [-0.5:5.5]
set yrange [5.5:-0.5]
$map << EOD
0 0 0.544948031
1 0 0.033642215
2 0 0.421409754
3 0 0
4 0 0
5 0 0

0 1 0.7166346994
1 1 0.04389072821
2 1 0.2394745724
3 1 0
4 1 0
5 1 0

0 2 0.07568569014
1 2 0.0926762077
2 2 0.8316381022
3 2 0
4 2 0
5 2 0

0 3 0.5249955945
1 3 0.1802059888
2 3 0.2565037868
3 3 0.03829462988
4 3 0
5 3 0

0 4 0.421491241
1 4 0.1252518683
2 4 0.1031607999
3 4 0.1863920912
4 4 0.1637039996
5 4 0

0 5 0.1952861089
1 5 0.1847114325
2 5 0.1576314829
3 5 0.04506082925
4 5 0.3677411795
5 5 0.04956896694

EOD
plot $map using 1:2:3 with image notitle
