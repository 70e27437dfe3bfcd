# made by workbook; re-plot with: gnuplot -p <this file>
set title 'Attention weights of one query at five temperatures' noenhanced
set xlabel 'score of the key' noenhanced
set ylabel 'weight' noenhanced
set grid
set key inside top left opaque box noenhanced
set style fill transparent solid 0.45 noborder
$s0 << EOD
2 0.9999542942
1 4.539785472e-05
0.5 3.05888339e-07
0 2.061059416e-09
-1 9.357195271e-14
EOD
$s1 << EOD
2 0.829244644
1 0.1122260588
0.5 0.04128565979
0 0.01518814545
-1 0.002055491966
EOD
$s2 << EOD
2 0.5630212318
1 0.2071239361
0.5 0.1256270176
0 0.07619663788
-1 0.02803117656
EOD
$s3 << EOD
2 0.3745449073
1 0.2271729697
0.5 0.1769224867
0 0.1377873712
-1 0.08357226514
EOD
$s4 << EOD
2 0.2646426335
1 0.2166710626
0.5 0.1960520849
0 0.1773952623
-1 0.1452389567
EOD
plot $s0 using 1:2 with linespoints lw 2 pt 7 ps 1.1 title 'tau = 0.1', \
    $s1 using 1:2 with linespoints lw 2 pt 7 ps 1.1 title 'tau = 0.5', \
    $s2 using 1:2 with linespoints lw 2 pt 7 ps 1.1 title 'tau = 1', \
    $s3 using 1:2 with linespoints lw 2 pt 7 ps 1.1 title 'tau = 2', \
    $s4 using 1:2 with linespoints lw 2 pt 7 ps 1.1 title 'tau = 5'
